"""Quality assurance: what the QA lead reads, in aggregate."""
