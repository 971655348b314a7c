"""Managing a workspace, UI-free: what depends on a secret, the endpoint form built from the domain
models, "copy as" snippets, the one-token endpoint test. The management screens in
:mod:`tui.app.manage` render these and forward what the user does; nothing here imports Textual.
"""
