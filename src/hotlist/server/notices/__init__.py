"""Notice-and-takedown: XARF notices to the host's abuse contact, grouped per contact, re-sent
on the policy's ladder until the content is gone; replies matched back; and each case's time to
removal."""
