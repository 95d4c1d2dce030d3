// llama.cpp speed of GGUF files through node-llama-cpp (prebuilt CPU build):
//   node llama-bench.mjs THREADS PROMPT_TOKENS DECODE_TOKENS RUNS FILE.gguf...
// For each file: prompt tokens/s (one batch of PROMPT_TOKENS ids) and decode tokens/s at batch 1
// (DECODE_TOKENS greedy steps after a 16-token prompt): the median and the best of RUNS timed runs
// after one warm-up (on a shared machine the best is the closer to the machine's speed), and the
// per-token linear FLOPs (2 x the parameters of every matrix but the embedding).
// Prints one JSON document. PRUNEKIT_NODE_MODULES must reach node_modules/node-llama-cpp.
import {createRequire} from "node:module";
import {pathToFileURL} from "node:url";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [threadsArg, promptArg, decodeArg, runsArg, ...files] = process.argv.slice(2);
const [threads, promptTokens, decodeTokens, runs] = [threadsArg, promptArg, decodeArg, runsArg].map(Number);
const root = process.env.PRUNEKIT_NODE_MODULES ?? path.join(process.cwd(), "node_modules");
const require = createRequire(path.join(root, "noop.js"));
const {getLlama, readGgufFileInfo, LlamaLogLevel} =
    await import(pathToFileURL(require.resolve("node-llama-cpp")).href);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(model, ids, steps) {
    const context = await model.createContext({contextSize: Math.min(512, model.trainContextSize), threads, batchSize: 512});
    const sequence = context.getSequence();
    const t0 = process.hrtime.bigint();
    let t1 = null, n = 0;
    for await (const token of sequence.evaluate(ids, {temperature: 0})) {
        if (t1 === null) t1 = process.hrtime.bigint();
        if (++n >= steps) break;
    }
    const t2 = process.hrtime.bigint();
    await context.dispose();
    return {prefillS: Number(t1 - t0) / 1e9, decodeS: Number(t2 - t1) / 1e9, steps: n};
}

const results = [];
for (const file of files) {
    const info = await readGgufFileInfo(file, {readTensorInfo: true});
    let linear = 0;
    for (const t of info.fullTensorInfo ?? info.tensorInfo) {
        if (t.dimensions.length === 2 && t.name !== "token_embd.weight") linear += Number(t.dimensions[0]) * Number(t.dimensions[1]);
    }
    const model = await llama.loadModel({modelPath: file});
    const vocab = model.tokens.bos != null ? model.tokens.bos + 3 : 3; // ids of ordinary tokens, to avoid specials
    const ids = (n) => Array.from({length: n}, (_, i) => vocab + (i * 37) % 500);
    const prompt = [], decode = [];
    for (let r = 0; r <= runs; r++) {
        const p = await once(model, ids(promptTokens), 1);
        const d = await once(model, ids(16), decodeTokens + 1);
        if (r > 0) {
            prompt.push(promptTokens / p.prefillS);
            decode.push((d.steps - 1) / d.decodeS);
        }
    }
    results.push({
        file: path.basename(file), file_type: info.metadata?.general?.file_type, architecture: info.metadata?.general?.architecture,
        linear_flops_per_token: 2 * linear, prompt_tok_s: median(prompt), decode_tok_s: median(decode),
        prompt_tok_s_best: Math.max(...prompt), decode_tok_s_best: Math.max(...decode),
        prompt_runs: prompt, decode_runs: decode,
    });
    await model.dispose();
}
console.log(JSON.stringify({
    runtime: "llama.cpp via node-llama-cpp "
        + JSON.parse(fs.readFileSync(path.join(root, "node-llama-cpp", "package.json"), "utf8")).version,
    cpu: os.cpus()[0]?.model, threads, prompt_tokens: promptTokens, decode_tokens: decodeTokens, runs, models: results,
}, null, 2));
await llama.dispose();
