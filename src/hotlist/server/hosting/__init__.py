"""Where content is hosted: the host's addresses, their network and country, and who to tell
(the abuse contacts of the network and of the domain's registrar), each lookup kept as a dated,
append-only snapshot; and the intermediaries that are never the host."""
