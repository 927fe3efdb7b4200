//! Protobuf encoding of Mapbox Vector Tiles (spec 2.1).

use std::collections::HashMap;

/// A feature property value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    String(String),
    /// Whole number.
    Int(i64),
    /// Real number.
    Double(f64),
    /// Flag.
    Bool(bool),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

/// Hashable identity of a value, for the layer's value table.
#[derive(Hash, PartialEq, Eq)]
enum ValueKey {
    S(String),
    I(i64),
    D(u64),
    B(bool),
}

impl Value {
    fn key(&self) -> ValueKey {
        match self {
            Value::String(s) => ValueKey::S(s.clone()),
            Value::Int(i) => ValueKey::I(*i),
            Value::Double(d) => ValueKey::D(d.to_bits()),
            Value::Bool(b) => ValueKey::B(*b),
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::String(s) => bytes_field(out, 1, s.as_bytes()),
            Value::Double(d) => {
                tag(out, 3, 1);
                out.extend_from_slice(&d.to_le_bytes());
            }
            Value::Int(i) => {
                tag(out, 6, 0);
                varint(out, zigzag(*i));
            }
            Value::Bool(b) => {
                tag(out, 7, 0);
                varint(out, u64::from(*b));
            }
        }
    }
}

pub(crate) fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub(crate) fn tag(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, u64::from((field << 3) | wire));
}

pub(crate) fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    tag(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// MVT geometry type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomType {
    /// Points.
    Point = 1,
    /// Lines.
    LineString = 2,
    /// Polygons.
    Polygon = 3,
}

/// Builds the command stream of one feature's geometry, in integer tile coordinates.
#[derive(Default)]
pub struct GeometryWriter {
    commands: Vec<u32>,
    cursor: (i32, i32),
}

fn command(id: u32, count: usize) -> u32 {
    (id & 7) | ((count as u32) << 3)
}

fn param(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

impl GeometryWriter {
    fn move_to(&mut self, p: (i32, i32)) {
        self.commands.push(command(1, 1));
        self.commands.push(param(p.0 - self.cursor.0));
        self.commands.push(param(p.1 - self.cursor.1));
        self.cursor = p;
    }

    fn line_to(&mut self, pts: &[(i32, i32)]) {
        self.commands.push(command(2, pts.len()));
        for &p in pts {
            self.commands.push(param(p.0 - self.cursor.0));
            self.commands.push(param(p.1 - self.cursor.1));
            self.cursor = p;
        }
    }

    /// Add a point.
    pub fn point(&mut self, p: (i32, i32)) {
        self.move_to(p);
    }

    /// Add a line (≥ 2 points after removing repeats).
    pub fn line(&mut self, pts: &[(i32, i32)]) {
        if pts.len() >= 2 {
            self.move_to(pts[0]);
            self.line_to(&pts[1..]);
        }
    }

    /// Add a ring (open: first point not repeated; ≥ 3 points). Orientation is the caller's business.
    pub fn ring(&mut self, pts: &[(i32, i32)]) {
        if pts.len() >= 3 {
            self.move_to(pts[0]);
            self.line_to(&pts[1..]);
            self.commands.push(command(7, 1));
        }
    }

    /// Whether anything was written.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }
}

/// One layer being encoded.
pub struct LayerWriter {
    name: String,
    features: Vec<u8>,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
    values: Vec<Value>,
    value_index: HashMap<ValueKey, u32>,
    count: usize,
}

impl LayerWriter {
    /// An empty layer.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            features: Vec::new(),
            keys: Vec::new(),
            key_index: HashMap::new(),
            values: Vec::new(),
            value_index: HashMap::new(),
            count: 0,
        }
    }

    /// Add a feature.
    pub fn add(&mut self, id: u64, kind: GeomType, geometry: &GeometryWriter, props: &[(String, Value)]) {
        let mut tags = Vec::with_capacity(props.len() * 2);
        for (k, v) in props {
            let ki = *self.key_index.entry(k.clone()).or_insert_with(|| {
                self.keys.push(k.clone());
                (self.keys.len() - 1) as u32
            });
            let vi = *self.value_index.entry(v.key()).or_insert_with(|| {
                self.values.push(v.clone());
                (self.values.len() - 1) as u32
            });
            tags.push(ki);
            tags.push(vi);
        }
        let mut f = Vec::new();
        tag(&mut f, 1, 0);
        varint(&mut f, id);
        packed(&mut f, 2, &tags);
        tag(&mut f, 3, 0);
        varint(&mut f, kind as u64);
        packed(&mut f, 4, &geometry.commands);
        bytes_field(&mut self.features, 2, &f);
        self.count += 1;
    }

    /// Append the encoded layer to a tile.
    pub fn finish(self, tile: &mut Vec<u8>) {
        if self.count == 0 {
            return;
        }
        let mut l = Vec::with_capacity(self.features.len() + 64);
        tag(&mut l, 15, 0);
        varint(&mut l, 2);
        bytes_field(&mut l, 1, self.name.as_bytes());
        l.extend_from_slice(&self.features);
        for k in &self.keys {
            bytes_field(&mut l, 3, k.as_bytes());
        }
        for v in &self.values {
            let mut vb = Vec::new();
            v.encode(&mut vb);
            bytes_field(&mut l, 4, &vb);
        }
        tag(&mut l, 5, 0);
        varint(&mut l, u64::from(crate::EXTENT));
        bytes_field(tile, 3, &l);
    }
}

fn packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    let mut body = Vec::with_capacity(values.len() * 2);
    for &v in values {
        varint(&mut body, u64::from(v));
    }
    bytes_field(out, field, &body);
}
