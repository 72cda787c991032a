"""Files the workbench ships (icons, small models the project made), installed as ``workbench_resources``."""
