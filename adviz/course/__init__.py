"""The hidden half of the lessons: each exercise's check and each "predict, then run" answer.

A lesson notebook shows the student what to do; the module of the same topic holds what
the notebook must not show: the reference the check compares against, the hints, and the
answers to the prediction questions.  A lesson uses its module under the name ``course``::

    from adviz.course import dual_numbers as course

    course.predict("seed-twice", ...)            # a prediction: replace ... with "a", "b", …
    course.check_dual_rules(MyDual, exp)         # the exercise's check cell

=====================  ============================================
module                 lesson
=====================  ============================================
``tape``               1 · programs are compositions: the tape
``dual_numbers``       2 · forward mode: tangents and dual numbers
``adjoints``           3 · reverse mode: adjoints and backpropagation
``modes``              4 · the modes compared
``finite_differences`` 5 · finite differences and symbolic differentiation
``control_flow``       6 · control flow and floating point
``arrays``             7 · arrays: broadcasting, reductions, matmul
``higher_order``       8 · higher-order derivatives and Hessians
``training``           9 · training a tiny neural network
``custom_rules``       10 · custom derivative rules and stop_gradient
``memory``             11 · memory and checkpointing
``ad_systems``         12 · how AD systems are built
=====================  ============================================

Every check is built with :mod:`adviz.check`: per-part ✓/✗, hints that name the concept,
never the expected value.  A new lesson adds one module here with its ``check_*``
functions and its ``QUESTIONS`` (and ``predict = QUESTIONS.predict``).

Teachers: the answers are here in plain sight, as they are in the teacher edition
(``adviz lessons DIR --solutions``).  adviz is open source, so treat its grades as
practice, not as an exam.
"""
