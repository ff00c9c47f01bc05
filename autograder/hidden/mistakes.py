"""The catalogue of common mistakes of every exercise: the grader's diagnoses and the project's wrong files.

Each entry of ``MISTAKES[exercise]`` is one mistake students really make: a name, a one-line
description (written as what the code does: it becomes the student's "Likely mistake: "
paragraph) and the textual edits (``old -> new``, every occurrence of ``old`` replaced; ``old``
must occur) that turn the reference solution into that mistake.

Two users, one table:

* the grader (``autograder.checks``) builds each mistaken module from the reference solution
  in its own, trusted process, and when a check fails compares the student's output (data that
  came back from the sandbox) with what each mistake gives on that same input: the one that
  matches is named in the feedback;
* ``tests/exercises/make_wrong.py`` writes each mistake as a complete student file under
  ``tests/exercises/wrong/``, the measuring stick of the hidden suites.
"""

from __future__ import annotations

import re

Edit = tuple[str, str]
MISTAKES: dict[str, list[tuple[str, str, list[Edit]]]] = {
    "ex01_rnn_forward": [
        ("missing_bias", "Drops the bias b_h from eq. 5.1.",
         [(" + b_h)  # [B, H] eq. 5.1", ")  # [B, H] eq. 5.1")]),
        ("untransposed_recurrent_weight", "Multiplies by W_hh instead of W_hh.T (h @ W_hh: the transposed recurrence).",
         [("@ W_hh.T", "@ W_hh")]),
        ("softmax_over_time", "Takes the softmax of eq. 5.2 over the time axis instead of the vocabulary.",
         [("torch.softmax(logits, dim=-1)", "torch.softmax(logits, dim=1)"),
          ("dim=-1)  # [B, T, V] eq. 5.2", "dim=1)  # [B, T, V] eq. 5.2")]),
        ("sigmoid_activation", "Uses the sigmoid instead of tanh in eq. 5.1.",
         [("torch.tanh(", "torch.sigmoid(")]),
        ("input_and_hidden_weights_swapped", "Multiplies h_{t-1} by W_xh and x_t by W_hh (the two weights swapped).",
         [("h_prev @ W_hh.T + x_t @ W_xh.T", "h_prev @ W_xh.T + x_t @ W_hh.T"),
          ("h @ W_hh.T + x[:, t] @ W_xh.T", "h @ W_xh.T + x[:, t] @ W_hh.T")]),
        ("state_not_carried", "Restarts every step of rnn_forward from h0 instead of the previous h_t.",
         [("    outputs = []\n    for t in range(x.shape[1]):\n        h = torch.tanh(h @ W_hh.T",
           "    outputs = []\n    for t in range(x.shape[1]):\n        h = torch.tanh(h0 @ W_hh.T")]),
        ("nll_summed", "Sums the negative log-likelihood over all positions instead of averaging it.",
         [("return -torch.log(picked).mean()", "return -torch.log(picked).sum()")]),
        ("nll_log2", "Measures the negative log-likelihood in bits (log2) instead of nats.",
         [("return -torch.log(picked).mean()", "return -torch.log2(picked).mean()")]),
        # edge cases, dtype and side effects (issue 13, part 4)
        ("empty_sequence_not_handled", "Stacks the outputs without handling an empty sequence (T = 0): torch.stack of no tensors raises.",
         [("    if not outputs:\n        return x.new_zeros(x.shape[0], 0, h0.shape[1]), h0\n", "")]),
        ("empty_output_default_dtype", "Builds the empty output of a T = 0 sequence with torch.zeros (float32) instead of the dtype of x.",
         [("return x.new_zeros(x.shape[0], 0, h0.shape[1]), h0", "return torch.zeros(x.shape[0], 0, h0.shape[1]), h0")]),
        ("nll_clamps_probs_in_place", "Clamps the caller's probabilities in place (probs.clamp_) before taking the log.",
         [("picked = probs.gather(", "picked = probs.clamp_(min=1e-12).gather(")]),
    ],
    "ex02_bptt": [
        ("missing_tanh_derivative", "Forgets the tanh derivative diag(1 - h_t^2) in the backward step.",
         [("grad_z = grad_h * (1 - states[t] ** 2)", "grad_z = grad_h")]),
        ("derivative_at_previous_state", "Takes the tanh derivative at h_{t-1} instead of h_t.",
         [("grad_z = grad_h * (1 - states[t] ** 2)", "grad_z = grad_h * (1 - states[t - 1] ** 2)")]),
        ("derivative_sign_flipped", "Writes the tanh derivative as h_t^2 - 1 (wrong sign).",
         [("grad_z = grad_h * (1 - states[t] ** 2)", "grad_z = grad_h * (states[t] ** 2 - 1)")]),
        ("w_hh_gradient_with_current_state", "Uses h_t instead of h_{t-1} in the gradient of W_hh.",
         [("grad_W_hh += grad_z.T @ states[t - 1]", "grad_W_hh += grad_z.T @ states[t]")]),
        ("no_gradient_through_time", "Ignores the gradient flowing back from h_{t+1} (only the upstream one).",
         [("grad_h = grad_outputs[:, t - 1] + carry", "grad_h = grad_outputs[:, t - 1]")]),
        ("carry_through_transposed_weight", "Sends the gradient back through W_hh.T instead of W_hh.",
         [("carry = grad_z @ W_hh  #", "carry = grad_z @ W_hh.T  #")]),
        ("bias_gradient_averaged", "Averages the bias gradient over the batch instead of summing it.",
         [("grad_b_h += grad_z.sum(dim=0)", "grad_b_h += grad_z.mean(dim=0)")]),
        ("clip_per_tensor", "Clips each tensor to max_norm by its own norm instead of the global norm.",
         [("    scale = max_norm / (total_norm + 1e-6)\n    if scale < 1:\n        return [g * scale for g in grads], total_norm\n"
           "    return [g.clone() for g in grads], total_norm",
           "    clipped = []\n    for g in grads:\n        scale = max_norm / (torch.linalg.vector_norm(g).item() + 1e-6)\n"
           "        clipped.append(g * scale if scale < 1 else g.clone())\n    return clipped, total_norm")]),
        ("clip_always_rescales", "Rescales to max_norm even when the norm is already below it.",
         [("    if scale < 1:\n        return [g * scale for g in grads], total_norm\n    return [g.clone() for g in grads], total_norm",
           "    return [g * scale for g in grads], total_norm")]),
        ("clip_value_upper_only", "Clips by value only from above (large negative entries pass).",
         [("g.clamp(min=-clip_value, max=clip_value)", "g.clamp(max=clip_value)")]),
        # edge cases, tolerance band, dtype and side effects (issue 13, part 4)
        ("clip_norm_compares_norm_with_max", "Clips only when total_norm > max_norm, ignoring the + 1e-6 of the documented scale < 1 rule.",
         [("    scale = max_norm / (total_norm + 1e-6)\n    if scale < 1:", "    scale = max_norm / (total_norm + 1e-6)\n    if total_norm > max_norm:")]),
        ("clip_norm_empty_list", "Fails on an empty list of gradients (the sum of no squares is not a tensor).",
         [("torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item() if grads else 0.0",
           "torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item()")]),
        ("gradients_accumulated_in_float32", "Accumulates the gradients in torch.zeros buffers (float32) instead of the dtype of the weights.",
         [("torch.zeros_like(W_xh)", "torch.zeros(W_xh.shape)"), ("torch.zeros_like(W_hh)", "torch.zeros(W_hh.shape)"),
          ("torch.zeros_like(b_h)", "torch.zeros(b_h.shape)")]),
        ("clip_norm_in_place", "Scales the caller's gradients in place (g.mul_, like torch's clip_grad_norm_) instead of returning new tensors.",
         [("return [g * scale for g in grads], total_norm", "return [g.mul_(scale) for g in grads], total_norm")]),
        ("clip_norm_returns_inputs", "Returns the caller's own tensors when no clipping is needed, instead of new tensors.",
         [("return [g.clone() for g in grads], total_norm", "return list(grads), total_norm")]),
        ("clip_value_in_place", "Clamps the caller's gradients in place (g.clamp_) instead of returning new tensors.",
         [("g.clamp(min=-clip_value, max=clip_value)", "g.clamp_(min=-clip_value, max=clip_value)")]),
    ],
    "ex03_jacobian": [
        ("derivative_scales_columns", "Multiplies W_hh by diag(1 - h^2) on the right (columns) instead of the left.",
         [(".unsqueeze(1) * W_hh", ".unsqueeze(0) * W_hh")]),
        ("product_in_reverse_order", "Multiplies the Jacobians in the wrong order (J_{k+1} ... J_T).",
         [("product = product @ ((1 - hidden_states[t] ** 2).unsqueeze(1) * W_hh)",
           "product = ((1 - hidden_states[t] ** 2).unsqueeze(1) * W_hh) @ product")]),
        ("product_off_by_one", "Includes one Jacobian too many (down to J_k instead of J_{k+1}).",
         [("for t in range(T, k, -1):", "for t in range(T, k - 1, -1):")]),
        ("spectral_radius_is_spectral_norm", "Returns the largest singular value instead of the largest |eigenvalue|.",
         [("return torch.linalg.eigvals(W).abs().max().item()", "return torch.linalg.matrix_norm(W, ord=2).item()")]),
        ("spectral_radius_real_part", "Takes the largest real part of the eigenvalues instead of the largest modulus.",
         [("return torch.linalg.eigvals(W).abs().max().item()", "return torch.linalg.eigvals(W).real.max().item()")]),
        ("prediction_from_norm", "Predicts vanishing/exploding from the spectral norm instead of the spectral radius.",
         [("rho = torch.linalg.eigvals(W_hh).abs().max().item()", "rho = torch.linalg.matrix_norm(W_hh, ord=2).item()")]),
        ("bound_with_spectral_radius", "Uses the spectral radius in the bound instead of the spectral norm.",
         [("(gamma * torch.linalg.matrix_norm(W_hh, ord=2).item()) ** n",
           "(gamma * torch.linalg.eigvals(W_hh).abs().max().item()) ** n")]),
        ("bound_gamma_not_raised", "Multiplies by gamma once instead of raising gamma to the power n.",
         [("(gamma * torch.linalg.matrix_norm(W_hh, ord=2).item()) ** n",
           "gamma * torch.linalg.matrix_norm(W_hh, ord=2).item() ** n")]),
        ("steps_ceil_of_logarithm", "Answers ceil(log(threshold) / log(factor)), wrong when factor**n equals the threshold.",
         [("    if threshold > 1:\n        return 0\n    n = math.floor(math.log(threshold) / math.log(factor)) + 1\n"
           "    while factor**n >= threshold:  # guard the float rounding of the logarithms\n        n += 1\n"
           "    while n > 0 and factor ** (n - 1) < threshold:\n        n -= 1\n    return n\n",
           "    return math.ceil(math.log(threshold) / math.log(factor))\n")]),
        ("norms_indexed_by_step", "Returns the norms indexed by step k instead of by distance T - k.",
         [("return torch.stack(norms)  # [T+1]", "return torch.stack(norms[::-1])  # [T+1]")]),
        # tolerance band, ties, dtype and side effects (issue 13, part 4)
        ("prediction_ignores_tolerance", "Compares the spectral radius with 1 itself, ignoring the tolerance band around 1.",
         [("if rho < 1 - tolerance:", "if rho < 1:"), ("if rho > 1 + tolerance:", "if rho > 1:")]),
        ("prediction_band_bounds_excluded", "Answers vanish/explode when the spectral radius lies exactly on a bound 1 -/+ tolerance (the comparisons are strict).",
         [("if rho < 1 - tolerance:", "if rho <= 1 - tolerance:"), ("if rho > 1 + tolerance:", "if rho >= 1 + tolerance:")]),
        ("steps_non_strict", "Counts the steps until factor**n <= threshold instead of < threshold (an exact tie stops one step early).",
         [("while factor**n >= threshold:", "while factor**n > threshold:"),
          ("while n > 0 and factor ** (n - 1) < threshold:", "while n > 0 and factor ** (n - 1) <= threshold:")]),
        ("identity_default_dtype", "Starts the Jacobian product from torch.eye in the default dtype (float32) instead of the dtype of W_hh.",
         [("torch.eye(W_hh.shape[0], dtype=W_hh.dtype)", "torch.eye(W_hh.shape[0])")]),
        ("jacobian_scales_weight_in_place", "Scales the caller's W_hh in place (W_hh.mul_) to form J_t.",
         [("return (1 - h_t**2).unsqueeze(1) * W_hh  # [H, H]", "return W_hh.mul_((1 - h_t**2).unsqueeze(1))  # [H, H]")]),
    ],
    "ex04_lstm_cell": [
        ("gate_order_ifog", "Reads the gates in the order i, f, o, g instead of torch's i, f, g, o.",
         [("i, f, g, o = pre.chunk(4, dim=1)", "i, f, o, g = pre.chunk(4, dim=1)")]),
        ("gate_order_figo", "Reads the gates in the order f, i, g, o (the chapter's equation order).",
         [("i, f, g, o = pre.chunk(4, dim=1)", "f, i, g, o = pre.chunk(4, dim=1)")]),
        ("missing_recurrent_bias", "Drops bias_hh (keeps only bias_ih).",
         [("@ weight_hh.T + bias_hh", "@ weight_hh.T")]),
        ("concatenation_x_first", "Builds the chapter's weights on [x_t, h_{t-1}] instead of [h_{t-1}, x_t].",
         [("torch.cat([w_hh, w_ih], dim=1)", "torch.cat([w_ih, w_hh], dim=1)")]),
        ("hidden_without_tanh", "Computes h_t = o_t * c_t, forgetting the tanh of eq. 5.8.",
         [("torch.sigmoid(o) * torch.tanh(c)", "torch.sigmoid(o) * c")]),
        ("candidate_sigmoid", "Squashes the candidate cell with a sigmoid instead of tanh (eq. 5.6).",
         [("torch.tanh(g)", "torch.sigmoid(g)")]),
        ("forget_and_input_swapped", "Swaps the forget and input gates in the cell update (eq. 5.7).",
         [("c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)", "c = torch.sigmoid(i) * c_prev + torch.sigmoid(f) * torch.tanh(g)"),
          ("c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)", "c = torch.sigmoid(i) * c + torch.sigmoid(f) * torch.tanh(g)")]),
        ("cell_not_carried", "Restarts every step of lstm_forward from c_0 (only h is carried).",
         [("c = torch.sigmoid(f) * c + torch.sigmoid(i)", "c = torch.sigmoid(f) * state[1] + torch.sigmoid(i)")]),
        # edge cases, dtype and side effects (issue 13, part 4)
        ("empty_sequence_not_handled", "Stacks the outputs of lstm_forward without handling an empty sequence (T = 0).",
         [("output = torch.stack(outputs, dim=1) if outputs else x.new_zeros(x.shape[0], 0, hidden_size)",
           "output = torch.stack(outputs, dim=1)")]),
        ("zero_state_default_dtype", "Builds the zero state of lstm_forward with torch.zeros (float32) instead of the dtype of x.",
         [("zeros = x.new_zeros(x.shape[0], hidden_size)  # [B, H]", "zeros = torch.zeros(x.shape[0], hidden_size)  # [B, H]")]),
        ("cell_updated_in_place", "Updates the caller's c_{t-1} in place (c_prev.mul_(f).add_(...)) in lstm_cell.",
         [("c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)  # [B, H] eq. 5.7",
           "c = c_prev.mul_(torch.sigmoid(f)).add_(torch.sigmoid(i) * torch.tanh(g))  # [B, H] eq. 5.7")]),
    ],
    "ex05_lstm_memory": [
        ("product_from_wrong_index", "Takes forget_gates[t] as f_t, so the product starts one gate too late.",
         [("return forget_gates[k:].prod(dim=0)", "return forget_gates[k + 1:].prod(dim=0)")]),
        ("sum_of_forget_gates", "Sums the forget gates instead of multiplying them.",
         [("return forget_gates[k:].prod(dim=0)", "return forget_gates[k:].sum(dim=0)")]),
        ("retention_without_root", "Uses the whole retention as the per-step forget value (no steps-th root).",
         [("f = retention ** (1.0 / steps)", "f = retention")]),
        ("bias_is_gate_value", "Returns the forget-gate value f instead of the bias b with sigmoid(b) = f.",
         [("return math.log(f / (1.0 - f))", "return f")]),
        ("bias_is_log_of_gate", "Inverts the sigmoid as log(f) instead of log(f / (1 - f)).",
         [("return math.log(f / (1.0 - f))", "return math.log(f)")]),
        ("gate_rows_in_chapter_order", "Writes the forget gate in row 0 and the input gate in row 1 (torch's order is i, f, g, o).",
         [("weight_ih[0] = torch.tensor([-large, -large])", "weight_ih[1] = torch.tensor([-large, -large])"),
          ("weight_ih[1] = torch.tensor([large, -large])", "weight_ih[0] = torch.tensor([large, -large])")]),
        ("forget_gate_too_weak", "Uses pre-activations of 3: sigmoid(3)**100 = 0.008, the value decays away.",
         [("large = 12.0", "large = 3.0")]),
        ("never_erases", "Keeps the forget gate open on the trigger too.",
         [("weight_ih[1] = torch.tensor([large, -large])", "weight_ih[1] = torch.tensor([large, large])")]),
        # tolerance band, empty products, dtype and side effects (issue 13, part 4)
        ("forget_gate_just_too_weak", "Uses pre-activations of 9: sigmoid(9)**100 = 0.988, a drift just over the 0.01 tolerance.",
         [("large = 12.0", "large = 9.0")]),
        ("product_starts_at_gate_k", "Starts the product from forget_gates[k], which does not exist when k = T (the empty product is 1).",
         [("    return forget_gates[k:].prod(dim=0)\n",
           "    product = forget_gates[k].clone()\n    for gate in forget_gates[k + 1 :]:\n        product = product * gate\n"
           "    return product\n")]),
        ("product_in_place", "Multiplies into forget_gates[k] itself (product *= gate), changing the caller's tensor.",
         [("    return forget_gates[k:].prod(dim=0)\n",
           "    if k == forget_gates.shape[0]:\n        return torch.ones(forget_gates.shape[1:], dtype=forget_gates.dtype)\n"
           "    product = forget_gates[k]\n    for gate in forget_gates[k + 1 :]:\n        product *= gate\n    return product\n")]),
        ("parameters_float64", "Returns weight_ih as float64 instead of the documented float32.",
         [("weight_ih = torch.zeros(4, 2)  #", "weight_ih = torch.zeros(4, 2, dtype=torch.float64)  #")]),
    ],
    "ex06_gru_cell": [
        ("textbook_reset_after_matmul", "Applies the textbook reset gate after the matmul (torch's form) instead of to h_{t-1}.",
         [("(reset_gate * h_prev) @ weight_hh[two:].T + bias_hh[two:]", "reset_gate * (h_prev @ weight_hh[two:].T) + bias_hh[two:]")]),
        ("pytorch_reset_before_matmul", "Applies torch's reset gate to h_{t-1} before the matmul (the textbook form).",
         [("reset_gate * (h_prev @ weight_hh[two:].T + bias_hh[two:])", "(reset_gate * h_prev) @ weight_hh[two:].T + bias_hh[two:]")]),
        ("pytorch_bias_outside_reset", "Adds b_hn outside the reset gate's product in torch's form.",
         [("reset_gate * (h_prev @ weight_hh[two:].T + bias_hh[two:])", "reset_gate * (h_prev @ weight_hh[two:].T) + bias_hh[two:]")]),
        ("gate_order_zr", "Reads the first two blocks as z, r instead of torch's r, z.",
         [("reset_gate, update_gate = torch.sigmoid(", "update_gate, reset_gate = torch.sigmoid(")]),
        ("textbook_update_flipped", "Uses torch's convention for z in the textbook form (z weights the old state).",
         [("return (1 - update_gate) * h_prev + update_gate * candidate", "return (1 - update_gate) * candidate + update_gate * h_prev")]),
        ("pytorch_update_flipped", "Uses the textbook convention for z in torch's form (z weights the candidate).",
         [("return (1 - update_gate) * candidate + update_gate * h_prev", "return (1 - update_gate) * h_prev + update_gate * candidate")]),
        ("missing_recurrent_gate_bias", "Drops bias_hh from the reset and update gates.",
         [("h_prev @ weight_hh[:two].T + bias_hh[:two]", "h_prev @ weight_hh[:two].T")]),
        # edge cases, dtype and side effects (issue 13, part 4)
        ("empty_sequence_not_handled", "Stacks the outputs of gru_forward without handling an empty sequence (T = 0).",
         [("output = torch.stack(outputs, dim=1) if outputs else x.new_zeros(x.shape[0], 0, hidden_size)",
           "output = torch.stack(outputs, dim=1)")]),
        ("zero_state_default_dtype", "Builds the zero state of gru_forward with torch.zeros (float32) instead of the dtype of x.",
         [("h = x.new_zeros(x.shape[0], hidden_size) if h0 is None else h0", "h = torch.zeros(x.shape[0], hidden_size) if h0 is None else h0")]),
        ("update_in_place", "Interpolates into the caller's h_{t-1} in place (h_prev.add_) in the textbook form.",
         [("return (1 - update_gate) * h_prev + update_gate * candidate  # [B, H] eq. 5.11",
           "return h_prev.add_(update_gate * (candidate - h_prev))  # [B, H] eq. 5.11")]),
    ],
    "ex07_counting": [
        ("single_bias", "Counts one bias per gate block, as the chapter writes it, instead of torch's two.",
         [("(2 * blocks if bias else 0)", "(blocks if bias else 0)")]),
        ("gates_without_candidate", "Counts only the gates: 3 blocks for the LSTM and 2 for the GRU.",
         [('{"rnn": 1, "lstm": 4, "gru": 3}', '{"rnn": 1, "lstm": 3, "gru": 2}')]),
        ("upper_layers_read_input_size", "Lets every layer of a stack read input_size features.",
         [("layer_input = input_size if layer == 0 else directions * hidden_size", "layer_input = input_size")]),
        ("upper_layers_ignore_bidirectional", "Lets upper layers of a bidirectional stack read H instead of 2H features.",
         [("else directions * hidden_size", "else hidden_size")]),
        ("tying_drops_decoder_bias", "Drops the decoder bias too when the weights are tied.",
         [("decoder = vocab_size + (0 if tie_weights else vocab_size * hidden_size)",
           "decoder = 0 if tie_weights else vocab_size * hidden_size + vocab_size")]),
        ("macs_count_bias", "Counts one extra multiply-add per row for the bias.",
         [("total += directions * blocks * (layer_input + hidden_size)", "total += directions * blocks * (layer_input + hidden_size + 1)")]),
        ("macs_one_direction", "Forgets the second direction in the multiply-adds of a bidirectional stack.",
         [("total += directions * blocks * (layer_input + hidden_size)", "total += blocks * (layer_input + hidden_size)")]),
        ("budget_overshoots", "Returns the first GRU size over the budget instead of the last one within it.",
         [("        hidden += 1\n    return hidden", "        hidden += 1\n    return hidden + 1")]),
        # ties at a documented bound (issue 13, part 4)
        ("budget_strictly_below", "Keeps only GRU sizes strictly below the LSTM's count, though 'at most as many' includes equality.",
         [('while layer_parameters(input_size, hidden + 1, "gru") <= budget:', 'while layer_parameters(input_size, hidden + 1, "gru") < budget:')]),
    ],
    "ex08_tbptt_batching": [
        ("streams_interleaved", "Fills the streams column by column (tokens interleaved across rows).",
         [("ids[: num_streams * stream_length].reshape(num_streams, stream_length)",
           "ids[: num_streams * stream_length].reshape(stream_length, num_streams).T")]),
        ("targets_not_shifted", "Returns the inputs themselves as targets (no shift by one).",
         [("targets = streams[:, start + 1 : start + 1 + length]", "targets = streams[:, start : start + length]")]),
        ("window_past_the_end", "Lets the windows cover all L columns, though the last token is only a target.",
         [("usable = stream_length - 1", "usable = stream_length")]),
        ("ranks_interleaved", "Gives rank r every world_size-th stream (like a DistributedSampler) instead of a block.",
         [("return streams[rank * batch_size : (rank + 1) * batch_size]", "return streams[rank::world_size]")]),
        ("split_by_rank_first", "Splits the token stream into world_size chunks first and batchifies each chunk.",
         [("    streams = batchify(ids, world_size * batch_size)  # [W*B, L]\n    return streams[rank * batch_size : (rank + 1) * batch_size]",
           "    chunk = ids.shape[0] // world_size\n    return batchify(ids[rank * chunk : (rank + 1) * chunk], batch_size)")]),
        ("last_window_dropped", "Drops the last, shorter window.",
         [("for start in range(0, usable, bptt)]", "for start in range(0, usable - bptt + 1, bptt)]")]),
        ("tuple_not_detached", "Detaches a single tensor but returns an LSTM's (h, c) tuple unchanged.",
         [("return tuple(detach_state(part) for part in state)", "return state")]),
        ("tuple_becomes_list", "Returns a list instead of a tuple for an (h, c) state.",
         [("return tuple(detach_state(part) for part in state)", "return [detach_state(part) for part in state]")]),
        # edge cases, dtype and side effects (issue 13, part 4)
        ("one_window_minimum", "Always schedules at least one window, even for streams of one token (no input column).",
         [("for start in range(0, usable, bptt)]", "for start in range(0, max(usable, 1), bptt)]")]),
        ("streams_cast_to_long", "Casts the streams to torch.long instead of keeping the dtype of ids.",
         [("reshape(num_streams, stream_length)  # [S, L]", "reshape(num_streams, stream_length).long()  # [S, L]")]),
        ("detach_in_place", "Detaches the caller's tensor in place (state.detach_()) instead of returning a detached one.",
         [("return state.detach()", "return state.detach_()")]),
    ],
    "ex09_ngram": [
        ("last_ngram_missed", "Slides the window one position short, missing the last n-gram.",
         [("grams = zip(*(tokens[offset:] for offset in range(n)))",
           "grams = (tuple(tokens[i : i + n]) for i in range(len(tokens) - n))")]),
        ("continuation_counts_occurrences", "Counts occurrences of (v g) instead of distinct predecessors v.",
         [("    longer = count_ngrams(ids, n + 1)\n    return dict(Counter(gram[1:] for gram in longer))",
           "    counts: Counter = Counter()\n    for gram, count in count_ngrams(ids, n + 1).items():\n"
           "        counts[gram[1:]] += count\n    return dict(counts)")]),
        ("add_k_denominator_without_v", "Adds k once to the denominator instead of k * V (does not normalise).",
         [("return numerators / (total + k * vocab_size)", "return numerators / (total + k)")]),
        ("kneser_ney_raw_counts_everywhere", "Uses raw counts at the lower orders instead of continuation counts.",
         [("table = count_ngrams(train_ids, m) if m == order else continuation_counts(train_ids, m)",
           "table = count_ngrams(train_ids, m)")]),
        ("kneser_ney_discount_not_clipped", "Subtracts the discount from unseen words too (no max(c - D, 0)).",
         [("np.maximum(counts - discount, 0) / total", "(counts - discount) / total")]),
        ("kneser_ney_smoothed_twice", "Adds one to every count before discounting: the unseen mass is smoothed twice.",
         [("counts = np.zeros(vocab_size)  # [V] c_m(h w)", "counts = np.ones(vocab_size)  # [V] c_m(h w)")]),
        ("kneser_ney_weight_without_followers", "Gives the lower order the weight D / c(h .), forgetting N1+(h .).",
         [("discount * followers / total * probability", "discount / total * probability")]),
        ("kneser_ney_unseen_context_uniform", "Jumps to the uniform distribution for an unseen context instead of passing the lower order through.",
         [("        if total == 0:\n            continue", "        if total == 0:\n            probability = np.full(vocab_size, 1.0 / vocab_size)\n            continue")]),
        ("context_one_too_long", "Conditions on order tokens instead of order - 1.",
         [("context = tuple(test[max(0, i - order + 1) : i])", "context = tuple(test[max(0, i - order) : i])")]),
        ("perplexity_base_two", "Exponentiates natural-log probabilities with base 2.",
         [("return float(math.exp(-float(np.mean(log_probs))))", "return float(2 ** (-float(np.mean(log_probs))))")]),
        # edge cases, dtype and side effects (issue 13, part 4)
        ("kneser_ney_empty_level_divides_by_zero", "Divides by c(h .) even when it is 0 (an unseen context or an empty training stream): NaN.",
         [("        if total == 0:\n            continue  # unseen context: the lower order passes through\n", "")]),
        ("log_probs_float32", "Stores the log-probabilities in a float32 array instead of the documented float64.",
         [("log_probs = np.empty(len(test))", "log_probs = np.empty(len(test), dtype=np.float32)")]),
        ("perplexity_negates_in_place", "Negates the caller's log-probabilities in place (np.negative(..., out=log_probs)).",
         [("    return float(math.exp(-float(np.mean(log_probs))))",
           "    np.negative(log_probs, out=log_probs)\n    return float(math.exp(float(np.mean(log_probs))))")]),
    ],
    "ex10_perplexity": [
        ("mean_of_batch_perplexities", "Averages the per-batch perplexities instead of pooling the tokens.",
         [("return math.exp(sum(nll_sums) / sum(token_counts))",
           "return sum(math.exp(s / n) for s, n in zip(nll_sums, token_counts)) / len(nll_sums)")]),
        ("mean_of_batch_losses", "Averages the per-batch mean losses (unweighted by tokens), then exponentiates.",
         [("return math.exp(sum(nll_sums) / sum(token_counts))",
           "return math.exp(sum(s / n for s, n in zip(nll_sums, token_counts)) / len(nll_sums))")]),
        ("uniform_cross_entropy", "Returns ln V (the cross-entropy) instead of the perplexity V.",
         [("return float(vocab_size)", "return math.log(vocab_size)")]),
        ("unigram_entropy_in_bits", "Computes the entropy in bits, then exponentiates with e.",
         [("math.log(count / total) for count", "math.log2(count / total) for count")]),
        ("bpc_in_nats", "Reports nats per character (forgets to divide by ln 2).",
         [("return nll_sum_nats / (num_characters * math.log(2))", "return nll_sum_nats / num_characters")]),
        ("bpc_times_ln2", "Multiplies by ln 2 instead of dividing.",
         [("return nll_sum_nats / (num_characters * math.log(2))", "return nll_sum_nats * math.log(2) / num_characters")]),
        ("perplexity_from_bits_base_e", "Exponentiates bits with e instead of 2.",
         [("return 2.0**bits_per_token", "return math.exp(bits_per_token)")]),
        ("word_perplexity_scaled", "Multiplies the character perplexity by the characters per word.",
         [("return 2.0 ** (bpc * characters_per_word)", "return 2.0**bpc * characters_per_word")]),
        ("reduction_relative_to_lstm", "Measures the reduction relative to the LSTM instead of the trigram.",
         [('"reduction": 1.0 - lstm / trigram', '"reduction": trigram / lstm - 1.0')]),
        ("bits_saved_in_nats", "Reports the saving per token in nats instead of bits.",
         [("(trigram_nll_sum - lstm_nll_sum) / (num_tokens * math.log(2))", "(trigram_nll_sum - lstm_nll_sum) / num_tokens")]),
        ("bits_saved_sign_flipped", "Subtracts the trigram's cross-entropy from the LSTM's (the saving's sign flipped).",
         [("(trigram_nll_sum - lstm_nll_sum) / (num_tokens * math.log(2))", "(lstm_nll_sum - trigram_nll_sum) / (num_tokens * math.log(2))")]),
        # edge cases (issue 13, part 4)
        ("unigram_zero_counts_not_skipped", "Takes log(0) for vocabulary entries that never occur instead of skipping them (0 ln 0 = 0).",
         [("math.log(count / total) for count in token_counts if count > 0)", "math.log(count / total) for count in token_counts)")]),
    ],
}


_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION.*\n", re.MULTILINE)
_DOCSTRING = re.compile(r'\A"""(.*?)"""\n', re.DOTALL)


def apply_mistake(solution: str, description: str, edits: list[Edit], label: str) -> str:
    """The solution's source with one mistake: docstring replaced, nbgrader markers removed, edits applied.

    Raises ``ValueError`` naming ``label`` when an edit's ``old`` text does not occur.
    """
    if not _DOCSTRING.match(solution):
        raise ValueError(f"{label}: the solution must start with its module docstring")
    text = _MARKER.sub("", _DOCSTRING.sub(lambda _: f'"""{description}"""\n', solution, count=1))
    for old, new in edits:
        if old not in text:
            raise ValueError(f"{label}: {old!r} does not occur in the solution any more; update MISTAKES")
        text = text.replace(old, new)
    return text
