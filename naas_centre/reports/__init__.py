"""Reports as PDFs: the data they are drawn from, fonts for every script, drawing, batches."""
