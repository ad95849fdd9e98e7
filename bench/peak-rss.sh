# Sourced by the bench scripts. peak PATTERN: the highest resident memory (MB) of the processes whose
# command line matches PATTERN, sampled every 0.5 s for as long as the file $WORK/running exists.
peak() {
  local max=0
  while [[ -e "$WORK/running" ]]; do
    for pid in $(pgrep -f "$1" || true); do
      rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || echo 0)
      (( rss > max )) && max=$rss
    done
    sleep 0.5
  done
  echo "$max"
}
