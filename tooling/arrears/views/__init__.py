"""Views: figures in, text out (the due table, statements, exports, message drafts, scaffolds)."""
