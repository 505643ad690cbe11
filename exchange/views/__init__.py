"""Pages and endpoints of exchange: ``exports`` (the download) and ``imports`` (upload → mapping →
preview → commit → report)."""
