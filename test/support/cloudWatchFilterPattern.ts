/**
 * CloudWatch Logs filter patterns for JSON log events, the subset the observability component writes
 * (docs: FilterAndPatternSyntax, "Using metric filters to match terms in JSON log events"): `{ $.a.b = "text" }`
 * with `=` / `!=` on strings (`*` a wildcard) and `=`, `!=`, `<`, `<=`, `>`, `>=` on numbers, joined by `&&` or
 * `||` with parentheses. No npm package evaluates these offline; anything outside the subset throws, so a
 * pattern the component starts to use that this cannot read fails its test instead of passing unread.
 */

type Comparison = "=" | "!=" | "<" | "<=" | ">" | ">=";

type Expression =
    | { readonly kind: "compare"; readonly selector: string; readonly op: Comparison; readonly value: string | number }
    | { readonly kind: "and" | "or"; readonly left: Expression; readonly right: Expression };

const TOKEN = /\s*(\$(?:\.[A-Za-z_][A-Za-z0-9_-]*)+|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|&&|\|\||!=|<=|>=|[=<>(){}])/y;

function tokenize(pattern: string): string[] {
    const tokens: string[] = [];
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < pattern.length) {
        if (/^\s*$/.test(pattern.slice(TOKEN.lastIndex))) break;
        const start = TOKEN.lastIndex;
        const match = TOKEN.exec(pattern);
        if (!match) throw new Error(`filter pattern ${pattern}: cannot read from ${pattern.slice(start)}`);
        tokens.push(match[1]);
    }
    return tokens;
}

function parse(pattern: string): Expression {
    const tokens = tokenize(pattern);
    let at = 0;
    const next = (): string => {
        const token = tokens[at++];
        if (token === undefined) throw new Error(`filter pattern ${pattern}: ends early`);
        return token;
    };
    const expect = (token: string) => {
        if (next() !== token) throw new Error(`filter pattern ${pattern}: expected ${token}`);
    };
    const term = (): Expression => {
        const token = next();
        if (token === "(") {
            const inner = expression();
            expect(")");
            return inner;
        }
        if (!token.startsWith("$.")) throw new Error(`filter pattern ${pattern}: expected a $. selector, not ${token}`);
        const op = next();
        if (!["=", "!=", "<", "<=", ">", ">="].includes(op))
            throw new Error(`filter pattern ${pattern}: unsupported operator ${op}`);
        const raw = next();
        const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw);
        if (typeof value === "number" && Number.isNaN(value))
            throw new Error(`filter pattern ${pattern}: unsupported value ${raw}`);
        if (typeof value === "string" && op !== "=" && op !== "!=")
            throw new Error(`filter pattern ${pattern}: ${op} compares numbers only`);
        return { kind: "compare", selector: token, op: op as Comparison, value };
    };
    // Mixing && and || without parentheses is left to AWS's precedence, which this does not model: refuse it.
    const expression = (): Expression => {
        let left = term();
        let joiner: "&&" | "||" | undefined;
        while (tokens[at] === "&&" || tokens[at] === "||") {
            const token = next() as "&&" | "||";
            if (joiner && joiner !== token)
                throw new Error(`filter pattern ${pattern}: parenthesise && and || when mixing them`);
            joiner = token;
            left = { kind: token === "&&" ? "and" : "or", left, right: term() };
        }
        return left;
    };
    expect("{");
    const parsed = expression();
    expect("}");
    if (at !== tokens.length) throw new Error(`filter pattern ${pattern}: unread ${tokens.slice(at).join(" ")}`);
    return parsed;
}

/** The value a `$.a.b` selector names in a JSON event, undefined when absent. */
export function selectJson(event: unknown, selector: string): unknown {
    if (!selector.startsWith("$.")) throw new Error(`not a JSON selector: ${selector}`);
    return selector
        .slice(2)
        .split(".")
        .reduce<unknown>(
            (value, key) =>
                typeof value === "object" && value !== null && !Array.isArray(value)
                    ? (value as Record<string, unknown>)[key]
                    : undefined,
            event,
        );
}

const wildcard = (text: string): RegExp =>
    new RegExp(
        `^${text
            .split("*")
            .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
    );

function holds(expression: Expression, event: unknown): boolean {
    if (expression.kind !== "compare")
        return expression.kind === "and"
            ? holds(expression.left, event) && holds(expression.right, event)
            : holds(expression.left, event) || holds(expression.right, event);
    const actual = selectJson(event, expression.selector);
    const { op, value } = expression;
    if (typeof value === "string") {
        if (typeof actual !== "string") return false;
        const equal = wildcard(value).test(actual);
        return op === "=" ? equal : !equal;
    }
    if (typeof actual !== "number") return false;
    switch (op) {
        case "=":
            return actual === value;
        case "!=":
            return actual !== value;
        case "<":
            return actual < value;
        case "<=":
            return actual <= value;
        case ">":
            return actual > value;
        case ">=":
            return actual >= value;
    }
}

/** Whether a log event (one line) matches a JSON filter pattern; a line that is not a JSON object never does. */
export function matchesJsonFilterPattern(pattern: string, line: string): boolean {
    const expression = parse(pattern);
    let event: unknown;
    try {
        event = JSON.parse(line);
    } catch {
        return false;
    }
    return typeof event === "object" && event !== null && !Array.isArray(event) && holds(expression, event);
}

/**
 * A metric filter's dimension (or value) as CloudWatch fills it from a matching event: `$.selector` reads the
 * event (only strings and numbers make a dimension value), anything else is the literal.
 */
export function filterFieldValue(field: string, line: string): string | undefined {
    if (!field.startsWith("$.")) return field;
    const value = selectJson(JSON.parse(line) as unknown, field);
    return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
