"""Static judges: they take observed data (files, responses, numbers) and return findings or verdicts.
Nothing here opens a socket or writes a file."""
