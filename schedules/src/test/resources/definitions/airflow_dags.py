"""Reads the rollback-jobs DAG files without Airflow (which is not installed where the tests run): each file must
parse (ast) and compile; every operator call must run one of rollback_jobs_commands.COMMANDS with an environment
that sets every variable the command uses. Prints one JSON object for AirflowDagsTest:
  {"commands": {NAME: command}, "pod_scripts": {NAME: script}, "xcom_return": PATH, "system_pattern": ...,
   "dags": [{"file", "dag_id", "schedule", "params": {NAME: {"default", "pattern", "enum", "type"}},
             "tasks": [{"task_id", "operator", "command", "env": {NAME: value}, "keywords": [...]}]}],
   "problems": ["file:line: what"]}
Usage: python3 airflow_dags.py DIR
"""

import ast
import importlib
import json
import os
import re
import sys

OPERATORS = {"RollbackJobsBashOperator", "BashOperator", "KubernetesPodOperator"}


def main(folder):
    sys.path.insert(0, folder)
    commands_module = importlib.import_module("rollback_jobs_commands")  # no Airflow import in it
    commands = dict(commands_module.COMMANDS)
    problems, dags, trees = [], [], {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as f:
            source = f.read()
        try:
            trees[name] = ast.parse(source, filename=name)
            compile(source, name, "exec")
        except SyntaxError as e:
            problems.append(f"{name}:{e.lineno}: does not parse: {e.msg}")
    # module-level constants of every file (literals only), and what each file imports from the others
    constants = {name[:-3]: {} for name in trees}
    for _ in range(len(trees) + 1):  # until every import between the files is resolved
        constants = {name[:-3]: module_constants(tree, imports(tree, constants)) for name, tree in trees.items()}
    for name, tree in trees.items():
        scope = constants[name[:-3]]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and call_name(node) == "DAG":
                dags.append(read_dag(name, node, tree, scope, commands, problems))
    print(json.dumps({
        "commands": commands,
        "pod_scripts": {k: commands_module.pod_script(v) for k, v in commands.items()},
        "xcom_return": commands_module.XCOM_RETURN,
        "system_pattern": commands_module.SYSTEM_PATTERN,
        "dags": dags,
        "problems": problems,
    }))


def imports(tree, constants):
    """What a file imports from the other files (`from module import NAME`), of their constants."""
    imported = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module in constants:
            for alias in node.names:
                if alias.name in constants[node.module]:
                    imported[alias.asname or alias.name] = constants[node.module][alias.name]
    return imported


def module_constants(tree, imported):
    values = dict(imported)
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = evaluate(node.value, values)
            except ValueError:
                pass
    return values


def evaluate(node, scope):
    """A literal, a name of one, a dict of them (with ** of another), or a concatenation of strings."""
    if isinstance(node, ast.Name):
        if node.id in scope:
            return scope[node.id]
        raise ValueError(node.id)
    if isinstance(node, ast.Dict):
        result = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                result.update(evaluate(value, scope))
            else:
                result[evaluate(key, scope)] = evaluate(value, scope)
        return result
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return evaluate(node.left, scope) + evaluate(node.right, scope)
    if isinstance(node, ast.Call) and call_name(node) == "Param":
        param = {"default": evaluate(node.args[0], scope)} if node.args else {}
        param.update({k.arg: evaluate(k.value, scope) for k in node.keywords})
        return param
    if isinstance(node, ast.Call):
        raise ValueError("call")
    return ast.literal_eval(node)


def call_name(call):
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def keyword(call, name):
    return next((k.value for k in call.keywords if k.arg == name), None)


def read_dag(file, call, tree, scope, commands, problems):
    dag_id = keyword(call, "dag_id") or (call.args[0] if call.args else None)
    schedule = keyword(call, "schedule")
    dag = {
        "file": file,
        "dag_id": evaluate(dag_id, scope) if dag_id is not None else None,
        "schedule": evaluate(schedule, scope) if schedule is not None else None,
        "params": {},
        "tasks": [],
    }
    params = keyword(call, "params")
    if params is not None:
        try:
            dag["params"] = evaluate(params, scope)
        except ValueError as e:
            problems.append(f"{file}:{call.lineno}: params are not a dict of Param ({e})")
    # the operators of the DAG: in the body of its `with` block
    block = next((n for n in ast.walk(tree) if isinstance(n, ast.With)
                  and any(item.context_expr is call for item in n.items)), None)
    for node in ast.walk(block) if block else []:
        if isinstance(node, ast.Call) and call_name(node) in OPERATORS:
            dag["tasks"].append(read_task(file, node, scope, commands, problems))
    return dag


def read_task(file, call, scope, commands, problems):
    operator = call_name(call)
    where = f"{file}:{call.lineno}"
    field = "bash_command" if "Bash" in operator else "arguments"
    expression = keyword(call, field)
    names = {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)} if expression else set()
    used = sorted(names & set(commands))
    if len(used) != 1:
        problems.append(f"{where}: {field} must be one of rollback_jobs_commands.COMMANDS, found {used}")
    env_field = "env" if "Bash" in operator else "env_vars"
    env = {}
    try:
        env = evaluate(keyword(call, env_field), scope) if keyword(call, env_field) is not None else {}
    except ValueError as e:
        problems.append(f"{where}: {env_field} is not a literal dict ({e})")
    command = commands.get(used[0]) if len(used) == 1 else ""
    for variable in sorted(set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", command)) - set(env)):
        problems.append(f"{where}: the command uses ${variable}, which {env_field} does not set")
    if operator == "BashOperator":
        problems.append(f"{where}: BashOperator loses the JSON result of a failed command; use RollbackJobsBashOperator")
    keywords = [k.arg for k in call.keywords if k.arg]
    if operator == "KubernetesPodOperator" and not any(
            k.arg is None and isinstance(k.value, ast.Call) and call_name(k.value) == "pod_defaults"
            for k in call.keywords):
        problems.append(f"{where}: a pod without **pod_defaults() (image, Secret, resources, XCom)")
    task_id = keyword(call, "task_id")
    return {
        "task_id": evaluate(task_id, scope) if task_id is not None else None,
        "operator": operator,
        "command": used[0] if len(used) == 1 else None,
        "env": env,
        "keywords": keywords,
    }


if __name__ == "__main__":
    main(sys.argv[1])
