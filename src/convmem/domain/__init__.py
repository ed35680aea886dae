"""Domain rules: plain Python with no web framework and no SQL in it."""
