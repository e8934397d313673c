"""Images as assets: safe fetching, a content-addressed cache, and processing with Pillow."""
