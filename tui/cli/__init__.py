"""The scripting face: subcommands mirroring the Databricks CLI, JSON in and out. No Textual here."""
