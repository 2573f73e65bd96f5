"""Developer tools that generate docs from the code; never shipped in the Lambda."""
