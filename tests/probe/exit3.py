import sys
sum(range(10**6))
sys.exit(3)
