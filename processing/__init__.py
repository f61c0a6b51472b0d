"""What a run does to a document, free of Inngest: reading each format into blocks, and chunking them."""
