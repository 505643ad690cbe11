"""Reference geography: provinces, amphoe, tambons, the LAO (อปท.) registry and boundary lookup."""
