"""Worked problems: what a problem is (problem.py), its files (problem_file.py, problems/),
running one (run.py), its worked solution (solution_*.py, solve.py), and marking a student's
answers (answers.py: the file and its names; check.py: the verdicts; replay.py).
"""
