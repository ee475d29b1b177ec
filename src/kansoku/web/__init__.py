"""kansoku's web UI (``kansoku serve``): server-rendered pages over a store, each with a JSON twin.

Above store/, corpus/ and report/ (it imports them; nothing imports it).  :func:`kansoku.web.app.create_app`
builds the FastAPI application; docs/web.md describes the routes, the JSON shapes and the security rules.
"""
