# SPDX-License-Identifier: Apache-2.0
"""TF1 optimizer layouts whose slots do not sit under their variable, judged by TensorFlow.

Each model is written by tf.compat.v1 graph code the way real trainers write it, trained one
step and saved with Saver; rescope renames a scope (or one variable) and the renamed model,
built by the same code, restores the result with Saver.restore. Every variable, slot and
optimizer counter must come back exactly, and the renamed checkpoint must hold nothing the
model does not (no slot left behind under the old name):
  * tensor2tensor: slots as training/<var>/Adam, training/<var>/Adam_1 (an AdamOptimizer
    under variable_scope("training"));
  * Estimators: a Keras optimizer under name_scope("training"): training/Adagrad/<var>/
    accumulator, training/Ftrl/<var>/{accumulator,linear};
  * slots under the variable (Momentum, RMSProp, Ftrl, ExponentialMovingAverage) and a
    fixed_size_partitioner variable with its Momentum slot, renamed by exact-name rules, so
    only slot-following can move the slots.
"""
import os

import numpy as np
import tensorflow as tf
import tf_keras

import judgelib as j

tf1 = tf.compat.v1
X = np.arange(12, dtype=np.float32).reshape(3, 4) / 10.0


def dense_stack(names, partitioned=None):
    """Variables at the given paths (shape [4, 4]) and a loss using all of them."""
    init = tf1.random_normal_initializer(seed=3)
    variables = []
    for path in names:
        scope, leaf = path.rsplit("/", 1)
        with tf1.variable_scope(scope):
            variables.append(tf1.get_variable(leaf, [4, 4], initializer=init))
    h = tf.constant(X)
    for v in variables:
        h = tf.tanh(tf.matmul(h, v))
    loss = tf.reduce_sum(tf.square(h))
    if partitioned:
        scope, leaf = partitioned.rsplit("/", 1)
        with tf1.variable_scope(scope):
            p = tf1.get_variable(leaf, [6, 4], initializer=init,
                                 partitioner=tf1.fixed_size_partitioner(2))
        loss += tf.reduce_sum(tf.square(tf.concat(list(p), 0)))
        variables.extend(list(p))
    return variables, loss


def t2t(prefix):
    names = [f"transformer/body/{prefix}/layer_0/kernel", f"transformer/body/{prefix}/layer_1/kernel",
             "transformer/body/decoder_norm/scale"]
    # No partitioned variable here: under variable_scope("training") TF 2.21 saves a
    # partitioned variable's slots as "<var>/d/part_0/Adam" with one slice of the full
    # shape, which TF's own reader then cannot read whole. Partitioned variables are in
    # the under-variable scenario.
    variables, loss = dense_stack(names)
    step = tf1.train.get_or_create_global_step()
    with tf1.variable_scope("training"):
        return tf1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)


def estimator(prefix):
    names = [f"dnn/{prefix}/kernel", "dnn/hiddenlayer_1/kernel", "linear/linear_model/w/weights"]
    variables, loss = dense_stack(names)
    step = tf1.train.get_or_create_global_step()
    with tf.name_scope("training"):
        grads = tf.gradients(loss, variables)
        dnn = tf_keras.optimizers.legacy.Adagrad(0.05)
        ftrl = tf_keras.optimizers.legacy.Ftrl(0.05)
        train_dnn = dnn.apply_gradients(list(zip(grads[:2], variables[:2])))
        train_linear = ftrl.apply_gradients([(grads[2], variables[2])])
    with tf.control_dependencies([train_dnn, train_linear]):
        return tf1.assign_add(step, 1)


def under_variable(prefix):
    names = [f"net/{prefix}", f"net/{prefix}_rms", f"net/{prefix}_ftrl", "net/other"]
    variables, loss = dense_stack(names, partitioned=f"net/{prefix}_part")
    dense, rms_var, ftrl_var, other, *parts = variables
    step = tf1.train.get_or_create_global_step()
    momentum = tf1.train.MomentumOptimizer(0.01, 0.9).minimize(loss, var_list=[dense, other] + parts)
    rms = tf1.train.RMSPropOptimizer(0.01, momentum=0.5).minimize(loss, var_list=[rms_var])
    ftrl = tf1.train.FtrlOptimizer(0.01).minimize(loss, var_list=[ftrl_var])
    with tf.control_dependencies([momentum, rms, ftrl]):
        ema = tf1.train.ExponentialMovingAverage(0.9).apply([dense])
    with tf.control_dependencies([ema]):
        return tf1.assign_add(step, 1)


def save(build, prefix, path):
    graph = tf.Graph()
    with graph.as_default():
        train = build(prefix)
        saver = tf1.train.Saver()
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            sess.run(train)
            saver.save(sess, path)


def restore_and_resave(build, prefix, path, resaved):
    """Saver.restore of `path` into the model, then a save of what was restored."""
    graph = tf.Graph()
    with graph.as_default():
        train = build(prefix)
        saver = tf1.train.Saver()
        with tf1.Session() as sess:
            saver.restore(sess, path)
            saver.save(sess, resaved)
            sess.run(train)  # training resumes


def values(path):
    reader = tf.train.load_checkpoint(path)
    return {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(path)}


def scenario(label, build, old_prefix, new_prefix, rename_args, renamed):
    work = j.scratch(label)
    old = os.path.join(work, "old", "model.ckpt")
    new = os.path.join(work, "new", "model.ckpt")
    resaved = os.path.join(work, "resaved", "model.ckpt")
    save(build, old_prefix, old)
    old_values = values(old)
    print(f"{label}: TF wrote {sorted(old_values)}")
    out, err = j.run("rename", old, *rename_args, "-o", new)
    print(out + err)
    try:
        restore_and_resave(build, new_prefix, new, resaved)
    except tf.errors.NotFoundError as e:
        j.check(False, f"{label}: restore of the renamed checkpoint failed: {e.message[:400]}")
        return
    expected = {renamed(name): value for name, value in old_values.items()}
    restored = values(resaved)
    j.same_dict(f"{label}: restored", expected, restored)
    left = sorted(set(values(new)) - set(restored))
    j.check(not left, f"{label}: renamed checkpoint keeps entries the model does not use: {left}")


def replace_segments(old, new):
    """Renames the whole-segment run `old` wherever it appears in a name (test's own logic)."""
    def apply(name):
        parts = name.split("/")
        o, n = old.split("/"), new.split("/")
        for i in range(len(parts) - len(o) + 1):
            if parts[i:i + len(o)] == o:
                return "/".join(parts[:i] + n + parts[i + len(o):])
        return name
    return apply


scenario("t2t", t2t, "encoder", "enc", ["--rule", "transformer/body/encoder/=transformer/body/enc/"],
         replace_segments("transformer/body/encoder", "transformer/body/enc"))
scenario("estimator", estimator, "hiddenlayer_0", "h0", ["--rule", "dnn/hiddenlayer_0/=dnn/h0/"],
         replace_segments("dnn/hiddenlayer_0", "dnn/h0"))
under_rules = {f"net/dense{s}": f"net/fc{s}" for s in ("", "_rms", "_ftrl", "_part")}


def under_renamed(name):
    for old_var, new_var in under_rules.items():
        name = replace_segments(old_var, new_var)(name)
    return name


scenario("under-variable", under_variable, "dense", "fc",
         [arg for old_var, new_var in under_rules.items() for arg in ("--rule", f"{old_var}={new_var}")],
         under_renamed)

j.finish()
