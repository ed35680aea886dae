"""Use cases: each public function is one transaction that applies domain rules to stored
state. Routers call these; these call the domain and the storage repositories."""
