"""OCR with Tesseract: which pages of a file need it, their images, and the text Tesseract reads on them."""
