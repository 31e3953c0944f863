/**
 * proveStep: the witness of one step, produced from a live machine by running
 * the same step semantics as the verifier (src/state/step.ts) on items read
 * from the machine and its commitment.
 */
import type { CompiledModule } from "../compile/types.ts";
import { H, encodeHeader, headerHash, word, Z, ZERO32, type Header } from "./header.ts";
import { AUX_PENDING, Machine, type MachineOptions } from "../machine.ts";
import { VALUES_PER_STEP_LOG2 as K_LOG2 } from "../micro.ts";
import type { ProvableTree } from "../merkle/tree.ts";
import { StateCommitment, slotWord, slotsRoot } from "./commit.ts";
import { executeStep, type FrameItem, type MerkleItem, type OperandItem, type SegmentItem, type TreeKind, type WitnessSource } from "./step.ts";
import { UsageError } from "../errors.ts";

function splitSiblings(p: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let k = 0; k < p.length; k += 32) out.push(p.slice(k, k + 32));
  return out;
}

/** Nodes changed by writes earlier in the same step, per tree: "level:index" -> node. */
class Overlay {
  private nodes = new Map<string, Uint8Array>();
  apply(index: number, leaf: Uint8Array, siblings: Uint8Array[]): MerkleItem {
    const l = this.nodes.get(`0:${index}`) ?? leaf;
    const sib = siblings.map((s, k) => this.nodes.get(`${k}:${(Math.floor(index / 2 ** k)) ^ 1}`) ?? s);
    return { leaf: l, siblings: sib };
  }
  write(index: number, leaf: Uint8Array, siblings: Uint8Array[]): void {
    let cur = leaf;
    let i = index;
    this.nodes.set(`0:${i}`, cur);
    for (let k = 0; k < siblings.length; k++) {
      cur = (i & 1) === 0 ? H(cur, siblings[k]!) : H(siblings[k]!, cur);
      i = Math.floor(i / 2);
      this.nodes.set(`${k + 1}:${i}`, cur);
    }
  }
}

class MachineWitness implements WitnessSource {
  readonly words: Uint8Array[] = [];
  private popped = 0;
  private auxPopped = 0;
  private overlays = new Map<string, Overlay>();
  private lastSiblings = new Map<string, Uint8Array[]>();
  private trees = new Map<string, ProvableTree>();

  constructor(
    readonly m: Machine,
    readonly c: StateCommitment,
  ) {}

  private emit(...ws: Uint8Array[]): void {
    for (const w of ws) this.words.push(w);
  }

  operand(): OperandItem {
    const m = this.m;
    const nl = this.c.frameNlocals(m.depth);
    // The top operand is in the header: witnessed pops start one below it. The
    // commitment's chain (synced by header()) holds the hashes beneath each operand.
    const k = this.popped++;
    const slot = m.sp - 2 - k;
    const value = slotWord(m.stack32[slot * 2]!, m.stack32[slot * 2 + 1]!);
    const beneath = slot >= m.fp + nl ? this.c.operandsAt(slot - (m.fp + nl)) : ZERO32;
    this.emit(value, beneath);
    return { value, beneath };
  }

  auxOperand(): OperandItem {
    const m = this.m;
    const slot = m.auxLen - 1 - this.auxPopped++;
    const value = slotWord(m.auxSlots[slot * 2]!, m.auxSlots[slot * 2 + 1]!);
    const beneath = slot >= 0 ? this.c.auxChainAt(slot) : ZERO32;
    this.emit(value, beneath);
    return { value, beneath };
  }

  /** An aligned group of a call's pending locals tree (a node at level log2(K)) with its siblings. */
  private pendingItem(index: number, depth: number): MerkleItem {
    const fresh = this.m.auxKind !== AUX_PENDING;
    const t = fresh ? undefined : this.c.pendingTree();
    const node = (level: number, i: number) => (t ? t.node(level, i) : Z[level]!);
    const siblings: Uint8Array[] = [];
    for (let l = 0; l < depth; l++) siblings.push(node(K_LOG2 + l, (index >> l) ^ 1));
    return { leaf: node(K_LOG2, index), siblings };
  }

  private tree(kind: TreeKind, seg?: number): ProvableTree {
    const key = `${kind}:${seg ?? ""}`;
    let t = this.trees.get(key);
    if (t) return t;
    const c = this.c;
    const m = this.m;
    switch (kind) {
      case "code":
        t = c.mc.codeTree;
        break;
      case "funcs":
        t = c.mc.funcsTree;
        break;
      case "memory":
        t = c.memoryTree();
        break;
      case "globals":
        t = c.globalsTree();
        break;
      case "table":
        t = c.tableTree();
        break;
      case "locals":
        t = slotsRoot(m.stack32, m.fp, c.frameNlocals(m.depth)).tree;
        break;
      case "data":
      case "elem":
        t = c.segmentTree(kind);
        break;
      case "dataLeaf":
        t = c.mc.dataTrees[seg!]!;
        break;
      case "elemLeaf":
        t = c.mc.elemTrees[seg!]!;
        break;
      case "input":
        t = c.inputMerkle();
        break;
      case "pending":
        throw new Error("internal error: the pending locals tree is read by pendingItem");
    }
    this.trees.set(key, t);
    return t;
  }

  merkle(kind: TreeKind, index: number, depth: number, seg?: number): MerkleItem {
    let item: MerkleItem;
    if (kind === "pending") item = this.pendingItem(index, depth);
    else {
      const t = this.tree(kind, seg);
      item = { leaf: t.leaf(index), siblings: splitSiblings(t.proof(index)) };
    }
    const ov = this.overlays.get(kind);
    if (ov) item = ov.apply(index, item.leaf, item.siblings);
    this.lastSiblings.set(`${kind}:${index}`, item.siblings);
    this.emit(item.leaf, ...item.siblings);
    return item;
  }

  segment(kind: "data" | "elem", index: number): SegmentItem {
    const dropped = (kind === "data" ? this.m.dataDropped : this.m.elemDropped)[index] === 1;
    const segTree = kind === "data" ? this.c.mc.dataTrees[index]! : this.c.mc.elemTrees[index]!;
    const len = dropped ? 0 : kind === "data" ? this.m.cm.module.datas[index]!.bytes.length : this.m.cm.module.elems[index]!.funcs.length;
    const root = dropped ? ZERO32 : segTree.root();
    const t = this.tree(kind);
    let item: MerkleItem = { leaf: t.leaf(index), siblings: splitSiblings(t.proof(index)) };
    const ov = this.overlays.get(kind);
    if (ov) item = ov.apply(index, item.leaf, item.siblings);
    this.lastSiblings.set(`${kind}:${index}`, item.siblings);
    this.emit(root, word(len), item.leaf, ...item.siblings);
    return { ...item, root, len };
  }

  frame(): FrameItem {
    const f = this.c.frameRecord(this.m.depth - 1);
    this.emit(f.prev, word(f.returnPc), word(f.callerFp), word(f.callerNlocals), f.callerLocalsRoot, word(f.callerTop), f.callerOperands);
    return f;
  }

  written(kind: TreeKind, index: number, leaf: Uint8Array): void {
    let ov = this.overlays.get(kind);
    if (!ov) this.overlays.set(kind, (ov = new Overlay()));
    ov.write(index, leaf, this.lastSiblings.get(`${kind}:${index}`)!);
  }
}

export interface StepProof {
  /** Index of the step: it goes from state `step` to state `step + 1`. */
  step: number;
  before: Uint8Array;
  after: Uint8Array;
  proof: Uint8Array;
}

/**
 * Proves steps of one machine as it runs. `proveNext()` proves the step from
 * the current state and executes it.
 */
export class Prover {
  readonly commitment: StateCommitment;
  constructor(readonly machine: Machine) {
    this.commitment = new StateCommitment(machine);
  }

  stateHash(): Uint8Array {
    return this.commitment.stateHash();
  }

  /** The witness of the next step (without executing it) and the post-state the witness implies. */
  witness(): { pre: Header; post: Header; proof: Uint8Array } {
    const pre = this.commitment.header();
    const w = new MachineWitness(this.machine, this.commitment);
    const post = executeStep(pre, w);
    const words = [...encodeHeader(pre), ...w.words];
    const proof = new Uint8Array(words.length * 32);
    words.forEach((x, i) => proof.set(x, i * 32));
    return { pre, post, proof };
  }

  /** Proves the step from the current state and executes it on the machine. */
  proveNext(): StepProof {
    const step = this.machine.steps;
    // The commitment's own hash of the state (the proof's header hashes to it: verifyStep checks).
    const before = this.commitment.stateHash();
    const { post, proof } = this.witness();
    this.machine.step();
    const after = this.commitment.stateHash();
    const implied = headerHash(post);
    for (let i = 0; i < 32; i++)
      if (implied[i] !== after[i]) throw new Error(`internal error: the proof of step ${step} implies a post-state that differs from the machine's`);
    return { step, before, after, proof };
  }
}

/** A task or an invocation to prove. */
export interface ProveTarget {
  cm: CompiledModule;
  opts?: MachineOptions;
  /** Export to invoke instead of the task entry. */
  invoke?: { name: string; args: import("../types.ts").Value[] };
}

export function machineFor(t: ProveTarget): Machine {
  if (t.invoke) {
    const m = Machine.instantiate(t.cm, t.opts);
    m.prepareInvoke(t.invoke.name, t.invoke.args);
    return m;
  }
  return Machine.forTask(t.cm, t.opts);
}

/** proveStep(n): the state hashes before and after step n and its witness. */
export function proveStep(t: ProveTarget, n: number): StepProof {
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`step must be a non-negative integer, got ${n}`);
  const m = machineFor(t);
  m.runTo(n);
  // Past a terminal state the step is the identity (the state steps to itself).
  return { ...new Prover(m).proveNext(), step: n };
}

/** The state hash at step n (a terminal state's hash for n past the end). */
export function stateHashAt(t: ProveTarget, n: number): Uint8Array {
  const m = machineFor(t);
  m.runTo(n);
  return new StateCommitment(m).stateHash();
}
