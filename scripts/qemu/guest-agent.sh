#!/bin/sh
# Runs inside the qemu guest (see vcam-testkit's guest module). Mounts the host's shared
# folder at @SHARE@ (virtio 9p, mount tag `vcam`, the same path as on the host) and serves the
# host's commands on the second serial port, ttyS1: the host writes @SHARE@/agent/N.sh and
# sends the line "N"; the guest runs it, with stdout and stderr going to @SHARE@/agent/N.out
# and N.err, and answers the line "N STATUS". The line "exit" ends the guest.
SHARE=@SHARE@
mkdir -p "$SHARE"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vcam "$SHARE"; then
    echo "VCAM-GUEST cannot mount the shared folder"
    exit 1
fi
stty -F /dev/ttyS1 raw -echo
exec 3<>/dev/ttyS1
echo "VCAM-GUEST agent ready"
echo ready >&3
while read -r n <&3; do
    [ "$n" = exit ] && break
    sh "$SHARE/agent/$n.sh" >"$SHARE/agent/$n.out" 2>"$SHARE/agent/$n.err" </dev/null 3>&-
    echo "$n $?" >&3
done
