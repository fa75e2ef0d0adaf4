import * as core from '/work/main/packages/core/dist/index.js';


const FP = `sha256:${'ab'.repeat(32)}`;
let seq=0;
function ev(i){ seq++; const t=new Date(Date.UTC(2026,10,25,10,0,0)+i*10).toISOString(); return JSON.stringify({schema_version:'evidence/v1',evidence_id:`ev_${seq.toString(16).padStart(32,'0')}`,dataset_urn:`urn:dp:bench:ds${i%200}`,topic:'orders.created',partition:3,offset:String(seq),producer:{service:'orders-svc',version:'1.4.2',identity_confidence:'HIGH',identity_method:'header'},trace_id:'4bf92f3577b34da6a3ce929d0e0e4736',event_time:t,produce_time:t,processing_time:t,schema_fingerprint:FP,contract:{id:'orders-created',version:'2.1.0'},gates:[{gate:'G1',name:'resolution',result:'PASS',reason_codes:[]},{gate:'G2',name:'identity',result:'PASS',reason_codes:[]},{gate:'G3',name:'schema',result:'PASS',reason_codes:[]},{gate:'G4',name:'contract',result:'PASS',reason_codes:[]},{gate:'G5',name:'pii',result:'PASS',reason_codes:[]}],result:'PASS',reason_codes:[],pii_findings:[],sample_weight:1,enforcement:'observe',source:'sidecar'});}
const N=40000; const strs=Array.from({length:N},(_,i)=>ev(i)); const bufs=strs.map(s=>Buffer.from(s));
const objs=strs.map(s=>JSON.parse(s));
function time(label,fn){ const r=[]; for(let k=0;k<5;k++){const t0=performance.now(); fn(); r.push((performance.now()-t0)*1000/N);} r.sort((a,b)=>a-b); console.log(label.padEnd(40), r[2].toFixed(2),'µs'); }
time('toString', ()=>{for(const b of bufs) b.toString();});
time('JSON.parse(str)', ()=>{for(const s of strs) JSON.parse(s);});
time('JSON.parse(buf.toString)', ()=>{for(const b of bufs) JSON.parse(b.toString());});
time('isEvidence(obj)', ()=>{for(const o of objs) core.isEvidence(o);});
const schema = core.evidenceSchema ?? core.EVIDENCE_SCHEMA;
console.log(Object.keys(core).filter(k=>/schema/i.test(k)));
