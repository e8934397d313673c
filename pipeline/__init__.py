"""galley: clean up scraped Markdown articles and write Markdown, EPUB, DOCX and more."""
__version__ = "0.1.0"
