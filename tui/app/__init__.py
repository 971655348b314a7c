"""The Textual app. Imported only when the app opens, so CLI commands start fast."""
