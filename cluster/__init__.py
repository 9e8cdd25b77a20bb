"""Several hosts on this machine: network namespaces joined by a bridge, PostgreSQL, Redis
and an S3 server on the data host, gunicorn and Celery on two web hosts, HAProxy in front
(deploy/haproxy.cfg). Used by cluster/test_cluster.py (make test) and
bench/cluster_benchmark.py."""
