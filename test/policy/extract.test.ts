import { describe, expect, it } from "vitest";
import { extractCode, looksLikeCode, stripTrailingSpecialTokens } from "../../src/policy/extract.js";

describe("extractCode", () => {
  it("takes a ```python block out of prose", () => {
    const c = "Here you go:\n\n```python\ndef f(x):\n    return x + 1\n```\n\nThis adds one.";
    expect(extractCode(c)).toBe("def f(x):\n    return x + 1");
  });
  it("accepts ```py, bare ``` and ~~~ fences", () => {
    expect(extractCode("```py\nprint(1)\n```")).toBe("print(1)");
    expect(extractCode("```\nprint(2)\n```")).toBe("print(2)");
    expect(extractCode("~~~python\nprint(3)\n~~~")).toBe("print(3)");
  });
  it("reads an unterminated fence to the end", () => {
    expect(extractCode("Sure.\n```python\nx = 1\nprint(x)\n")).toBe("x = 1\nprint(x)");
  });
  it("closes a fence glued to the last code line", () => {
    expect(extractCode("```python\nprint(1)```")).toBe("print(1)");
  });
  it("prefers the block that defines the entry point, else the last block", () => {
    const c = "```python\ndef solve(a):\n    return a\n```\nUsage:\n```python\nprint(solve(3))\n```";
    expect(extractCode(c, { entryPoint: "solve" })).toBe("def solve(a):\n    return a");
    expect(extractCode(c)).toBe("print(solve(3))");
  });
  it("finds a method entry point inside class Solution", () => {
    const c = "```python\nclass Solution:\n    def twoSum(self, a, t):\n        return []\n```\n```python\nprint(Solution().twoSum([1], 1))\n```";
    expect(extractCode(c, { entryPoint: "twoSum" })).toContain("class Solution");
  });
  it("ignores blocks tagged with another language when a Python block exists", () => {
    const c = "```python\nprint(input())\n```\nRun:\n```bash\npython3 a.py\n```";
    expect(extractCode(c)).toBe("print(input())");
  });
  it("reads <code> tags when there are no fences", () => {
    expect(extractCode("<code>if a &lt; b:\n    print(a)</code>")).toBe("if a < b:\n    print(a)");
  });
  it("takes unfenced code whole, trimmed of surrounding blank lines", () => {
    expect(extractCode("\n\nimport sys\nprint(sys.argv)\n\n")).toBe("import sys\nprint(sys.argv)");
  });
  it("returns null for empty, whitespace-only, prose-only completions and empty blocks", () => {
    expect(extractCode("")).toBeNull();
    expect(extractCode("  \n\t ")).toBeNull();
    expect(extractCode("I am sorry, I cannot help with that request.")).toBeNull();
    expect(extractCode("```python\n\n```")).toBeNull();
  });
  it("keeps syntax errors: compiling is CPython's decision", () => {
    expect(extractCode("def f(:\n    return 1")).toBe("def f(:\n    return 1");
  });
  it("finds the closing fence behind trailing special tokens (raw chat-model output)", () => {
    const answer = "Here:\n```python\ndef f(x):\n    return x\n```";
    for (const tail of ["<|im_end|>", "<|im_end|>\n<|endoftext|><|endoftext|>", "</s>", "<|eot_id|>", " <|end|>", "<｜end▁of▁sentence｜>", "<end_of_turn>\n<eos>"]) {
      expect(extractCode(answer + tail), JSON.stringify(tail)).toBe("def f(x):\n    return x");
    }
    expect(extractCode("```python\nprint(1)```<|im_end|>")).toBe("print(1)");
    // Unfenced code keeps working too, and a completion of special tokens only holds no code.
    expect(extractCode("import sys\nprint(sys.argv)<|endoftext|>")).toBe("import sys\nprint(sys.argv)");
    expect(extractCode("<|im_end|>")).toBeNull();
  });
  it("ends the answer at the first end-of-turn token: nothing after it is the model's turn", () => {
    const hidden = "<|im_start|>assistant\n```python\ndef f(x):\n    return x\n```<|im_end|>\nimport os\nos.system(input())\n<|endoftext|>";
    expect(extractCode(hidden)).toBe("def f(x):\n    return x");
    expect(extractCode("import os\nprint(1)<|eot_id|>\nos.system(input())")).toBe("import os\nprint(1)");
    expect(extractCode("x = 1\n<｜end▁of▁sentence｜>eval(input())")).toBe("x = 1");
  });
  it("leaves special-token text that is not at the very end alone", () => {
    expect(extractCode('print("</s>")')).toBe('print("</s>")');
    expect(stripTrailingSpecialTokens("a <|im_end|> b")).toBe("a <|im_end|> b");
    expect(stripTrailingSpecialTokens("x = a<b>")).toBe("x = a<b>");
  });
  it("looksLikeCode tells statements from prose", () => {
    expect(looksLikeCode("x = 5")).toBe(true);
    expect(looksLikeCode("for i in range(3):")).toBe(true);
    expect(looksLikeCode("The answer is 5.")).toBe(false);
  });
});
