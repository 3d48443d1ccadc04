"""General helpers on Python syntax trees (`ast`), with no knowledge of FastAPI or SQLAlchemy."""

import ast

Function = ast.FunctionDef | ast.AsyncFunctionDef


def dotted_tail(node: ast.expr) -> str:
    """`app.get("/x")` -> "get", `functools.lru_cache` -> "lru_cache"."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def own_nodes(function: Function) -> list[ast.AST]:
    """The function's nodes, without those of functions and lambdas nested in it."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue  # listed, not entered
        stack.extend(ast.iter_child_nodes(node))
    return found


def ancestors(function: Function, target: ast.AST) -> list[ast.AST]:
    """The nodes enclosing `target` inside `function`, outermost first."""

    def search(node: ast.AST, trail: list[ast.AST]) -> list[ast.AST] | None:
        for child in ast.iter_child_nodes(node):
            if child is target:
                return trail
            found = search(child, [*trail, child])
            if found is not None:
                return found
        return None

    return search(function, []) or []


def is_method_call(node: ast.AST, names: set[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
    )


def walk_outside_functions(node: ast.AST) -> list[ast.AST]:
    found: list[ast.AST] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                stack.append(child)
    return found
