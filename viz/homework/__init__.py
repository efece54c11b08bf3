"""Worked problems: problem files (problem.py, problems/), running one (run.py), its worked
solution (solution_*.py, solve.py), and marking a student's answers (check.py, replay.py).
"""
