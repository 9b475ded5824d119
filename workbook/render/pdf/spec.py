"""Numbers and names from the PDF specification (ISO 32000) that several modules use.

Field flags (``/Ff``, 12.7.4.2.1 and 12.7.4.3): the build repairs WeasyPrint's fields by
them, drawn values follow them, and the reading of a returned file decides with them
what a field is. The on-state of a tick box is ``/Yes``, the name every viewer and qpdf
expect (WeasyPrint writes ``/on``).
"""

MULTILINE = 1 << 12  # a text field of several lines
RADIO = 1 << 15  # a button that is one option of a group
PUSHBUTTON = 1 << 16  # a button that is pressed, not ticked
TICK = "/Yes"
