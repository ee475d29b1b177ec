"""normalize stage: clean text (boilerplate out) and sentence spans."""
