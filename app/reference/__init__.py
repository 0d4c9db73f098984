"""Reference data every domain reads: programmes and their modules, Kommunen, Gemeinden, organisations."""
