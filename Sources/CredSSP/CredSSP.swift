// CredSSP: see ARCHITECTURE.md.
