"""Documents through the API: one document and its download, and each record's documents listed
and uploaded (contacts, enquiries, information requests). Routed in documents/api/urls.py."""
