"""Stage 5, emit: the knowledge graph as RDF (VAULT-SPEC §3) and the commands built on it.

emit.py maps the compiled vault to quads, one named graph per page; store.py loads them into
Oxigraph; export, query, endpoint (with worker.py) and publish each read only those quads.
"""
