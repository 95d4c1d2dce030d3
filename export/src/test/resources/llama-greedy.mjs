// Greedy decoding with llama.cpp (through node-llama-cpp, CPU only, prebuilt binaries):
//   node llama-greedy.mjs MODEL.gguf NEW_TOKENS PROMPT...
// For each prompt: BOS (when the file asks for it) + llama.cpp's tokenization of the prompt, then
// NEW_TOKENS argmax steps (temperature 0, no penalties). Prints one JSON line per prompt:
// {"prompt_ids": [...], "ids": [...], "text": "...", "prompt_tok_s": x, "decode_tok_s": y}.
// NODE_PATH or the working directory must reach node_modules/node-llama-cpp.
import {createRequire} from "node:module";
import {pathToFileURL} from "node:url";
import path from "node:path";

const [modelPath, newTokensArg, ...prompts] = process.argv.slice(2);
if (!modelPath || !newTokensArg || prompts.length === 0) {
    console.error("usage: node llama-greedy.mjs MODEL.gguf NEW_TOKENS PROMPT...");
    process.exit(2);
}
const newTokens = Number.parseInt(newTokensArg, 10);
const root = process.env.PRUNEKIT_NODE_MODULES ?? path.join(process.cwd(), "node_modules");
const require = createRequire(path.join(root, "noop.js"));
const {getLlama, LlamaLogLevel} = await import(pathToFileURL(require.resolve("node-llama-cpp")).href);

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false});
const model = await llama.loadModel({modelPath});
for (const prompt of prompts) {
    const context = await model.createContext({contextSize: Math.min(512, model.trainContextSize), sequences: 1, threads: Number(process.env.PRUNEKIT_LLAMA_THREADS ?? 1)});
    const sequence = context.getSequence();
    const body = model.tokenize(prompt, false);
    const promptIds = model.tokens.shouldPrependBosToken && model.tokens.bos != null
        ? [model.tokens.bos, ...body] : body;
    const ids = [];
    const start = process.hrtime.bigint();
    let firstAt = null;
    for await (const token of sequence.evaluate(promptIds, {temperature: 0})) {
        if (firstAt === null) firstAt = process.hrtime.bigint();
        ids.push(token);
        if (ids.length >= newTokens) break;
    }
    const end = process.hrtime.bigint();
    const prefillS = Number(firstAt - start) / 1e9;
    const decodeS = Number(end - firstAt) / 1e9;
    console.log(JSON.stringify({
        prompt_ids: promptIds, ids, text: model.detokenize(ids),
        prompt_tok_s: promptIds.length / prefillS,
        decode_tok_s: ids.length > 1 ? (ids.length - 1) / decodeS : null,
    }));
    await context.dispose();
}
await model.dispose();
await llama.dispose();
