"""The blueprints, one per desk: parse the request, call one query or command, commit, render.

Views hand the engine `current_user.account` (the engine's User), never the Flask-Login wrapper.
Must not: run SQL, compare states or carry a business `if` (DESIGN.md convention 5).
"""
