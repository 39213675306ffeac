"""Uploaded attachments and photos: checked by content, cleaned, stored under random names.

Every app that accepts a document or a photo goes through :func:`files.services.stored_file_create`
(see ``checks.py`` for what is refused and why) and serves it back through
:func:`files.serving.stored_file_response` from a view that has already checked scope.
"""
