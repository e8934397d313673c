"""galley: clean up scraped Markdown articles and write Markdown, EPUB, DOCX and more.

From Python: ``from pipeline import clean, convert`` (see ``pipeline/api.py``).
"""

from .api import clean, convert

__version__ = "0.1.0"
__all__ = ["__version__", "clean", "convert"]
