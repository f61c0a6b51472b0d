"""`make bench`: accept path, processing, memory and scale, against the real Inngest server and beside Celery and RQ."""
