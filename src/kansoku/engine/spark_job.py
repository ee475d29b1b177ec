"""Entry file for ``spark-submit``: the ``kansoku spark-job`` command on a cluster.

    spark-submit --master yarn --archives kansoku-env.tar.gz#env \
        --conf spark.pyspark.python=./env/bin/python \
        "$(python -c 'import kansoku.engine.spark_job as m; print(m.__file__)')" \
        hdfs:///news/2025/ --out hdfs:///kansoku/runs/2025.parquet --stories hdfs:///kansoku/runs/2025.stories

Arguments are those of ``kansoku spark-job`` (``kansoku spark-job --help``); the master comes from
spark-submit unless ``--spark-master`` is given.
"""

from kansoku.engine.cli import spark_job_main

if __name__ == "__main__":
    spark_job_main()
