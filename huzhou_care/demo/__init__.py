"""Demo data for the portal: ``manage.py seed_demo`` (see ``services.demo_seed``)."""
