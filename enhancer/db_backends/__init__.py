"""Django's database backends with two changes each that matter under load (see their modules)."""
