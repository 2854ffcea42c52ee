"""``python -m reconcile`` runs the command line."""

from reconcile.cli import main

main()
