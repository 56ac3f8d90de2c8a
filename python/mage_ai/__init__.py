"""Pipewright's stand-in for the parts of Mage's mage_ai package that blocks import.

It is on a block's sys.path only when the real mage_ai is not installed. Inside a run the
decorators are already in the block's globals (as Mage gives them), so these are what a block file
gets when it is imported elsewhere (an IDE, pytest): they return the function unchanged.
"""
