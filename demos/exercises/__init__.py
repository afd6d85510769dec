"""Exercises: checks that tell a reader what is wrong with an answer, and student versions.

The top layer beside :mod:`demos.figures`: checks may run experiments to compare an answer with.
:mod:`demos.exercises.checking` holds the machinery every check uses; one module per chapter holds
that chapter's checks; :mod:`demos.exercises.student` writes the student versions of the chapters
(``make student``) with nbgrader metadata.
"""
