"""One screen per module: the playground, the management screens and the modal dialogs."""
