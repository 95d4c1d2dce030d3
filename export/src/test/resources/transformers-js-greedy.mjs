// Greedy generation with transformers.js (its onnxruntime-node CPU runtime) on an ONNX model folder:
//   node transformers-js-greedy.mjs MODEL_DIR NEW_TOKENS PROMPT...
// Loads MODEL_DIR with AutoTokenizer / AutoModelForCausalLM.from_pretrained (local files only, fp32,
// onnx/model.onnx), tokenizes each prompt as the folder's tokenizer.json says (BOS added by its
// post-processor), then generate() without sampling. Prints one JSON line per prompt:
// {"prompt_ids": [...], "ids": [...], "text": "..."} with ids the new tokens only (an EOS that ends
// the generation included).
// PRUNEKIT_NODE_MODULES (or the working directory) must reach node_modules/@huggingface/transformers.
import {createRequire} from "node:module";
import {pathToFileURL} from "node:url";
import path from "node:path";

const [modelDir, newTokensArg, ...prompts] = process.argv.slice(2);
if (!modelDir || !newTokensArg || prompts.length === 0) {
    console.error("usage: node transformers-js-greedy.mjs MODEL_DIR NEW_TOKENS PROMPT...");
    process.exit(2);
}
const newTokens = Number.parseInt(newTokensArg, 10);
const root = process.env.PRUNEKIT_NODE_MODULES ?? path.join(process.cwd(), "node_modules");
const require = createRequire(path.join(root, "noop.js"));
const {AutoModelForCausalLM, AutoTokenizer, env} =
    await import(pathToFileURL(require.resolve("@huggingface/transformers")).href);

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(modelDir)) + path.sep;
const name = path.basename(path.resolve(modelDir));
const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForCausalLM.from_pretrained(name, {dtype: "fp32", device: "cpu"});
for (const prompt of prompts) {
    const inputs = tokenizer(prompt);
    const promptIds = Array.from(inputs.input_ids.data, Number);
    const out = await model.generate({...inputs, max_new_tokens: newTokens, do_sample: false});
    const all = Array.from(out.data, Number);
    const ids = all.slice(promptIds.length);
    console.log(JSON.stringify({prompt_ids: promptIds, ids, text: tokenizer.decode(ids, {skip_special_tokens: true})}));
}
await model.dispose();
